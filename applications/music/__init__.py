"""Symbolic music jobs: the chorale corpus on a 16th-note grid (`grid`, `corpus`),
training windows (`windows`), the `music train` settings (`config`), training on
the shared run (`train`), harmonising and duetting with trained models
(`generate`), the counterpoint rules (`rules`), the n-gram baseline
(`baseline`), evaluation (`evaluate`) and rendering to MIDI/MusicXML/WAV/PNG
(`render`)."""
