"""The source-separation job: train a mask estimator on mixtures made on the fly, score it
with SI-SDR and BSS Eval, and split mixture files with it (`audiozoo separate`).

Modules: config (SeparateConfig), sources (folders -> clips, checked), synthetic (the
builtin demo sources), mixing (random mixtures, fixed test set), metrics (SI-SDR,
mir_eval, oracle masks), job (train + report through `training.run.Run`), plots, apply
(chunked separation of files).
"""
