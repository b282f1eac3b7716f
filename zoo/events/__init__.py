"""Frame-wise labelling models: the CRNN for sound event detection and chords over time.

Example:
    >>> import zoo
    >>> model = zoo.create_model("crnn_sed", num_classes=4)
"""

from zoo.events.crnn import CRNN_CONFIGS, crnn, crnn_sed, frame_seconds, output_frames

__all__ = ["CRNN_CONFIGS", "crnn", "crnn_sed", "frame_seconds", "output_frames"]
