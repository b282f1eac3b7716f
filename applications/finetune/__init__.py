"""The fine-tuning job: VGG transfer learning on log-mel spectrograms."""
