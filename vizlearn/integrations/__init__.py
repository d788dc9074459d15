"""Record training run by other frameworks into a vizlearn Trace.

===========================  ===============================================
``keras.VizlearnCallback``   ``model.fit(..., callbacks=[cb])``: loss per
                             batch, metrics per epoch, chosen layer weights
``torch.torch_params``       a module's named parameters: detached, on the
                             CPU, named W1/b1/... (book) or by module path
``dezero.dezero_params``     a DeZero Model's/Layer's parameters, W1/b1/...
===========================  ===============================================

Each module imports its framework only when it is imported itself; nothing
here imports torch, keras or dezero on ``import vizlearn``.
"""

__all__ = ["book_names", "NAMING"]

from vizlearn.integrations.naming import NAMING, book_names
