"""Symbolic music jobs: the chorale corpus on a 16th-note grid (`grid`, `corpus`),
training windows (`windows`), training (`train`), the counterpoint rules
(`rules`), the n-gram baseline (`baseline`), evaluation (`evaluate`) and
rendering to MIDI/MusicXML/WAV/PNG (`render`)."""
