"""`audiozoo tag`: a published music tagger (musicnn, MagnaTagATune or Million Song tags) on files.

`tag.tag_files` reads each file in blocks (any rate: resampled block by block to
16 kHz), tags 3-second windows with `zoo.musicnn` and averages them per file, as
the official `musicnn` tagger does; `taggram` writes the tags over time.
"""
