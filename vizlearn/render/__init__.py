"""Renderers: pure functions of a Trace (or arrays) and a Style.

They draw onto matplotlib Figures made without pyplot and never import
``vizlearn.core``; ``draw_*`` returns artists, ``plot_*`` a Figure,
``animate_*`` a FuncAnimation, ``frames_*`` a FrameSource for the exporter.
"""
