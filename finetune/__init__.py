"""The post-training pipeline: data, continual pre-training, SFT, RL (DAPO), eval, report."""
