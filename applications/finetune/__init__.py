"""The fine-tuning job: VGG transfer learning on log-mel spectrograms.

`config` (the run's `FinetuneConfig`) and `presets` (per dataset), `model`
(waveform -> log-mel -> VGG -> head), `callbacks` (per-phase bookkeeping) and
`job` (`run_finetune`, the two-phase recipe and its outputs).

Every layer a saved `finetune` model holds is registered by `import zoo`.
"""
