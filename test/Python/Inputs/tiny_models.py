"""Factories for the command-line test."""
import torch
import torch.nn as nn


def make_mlp():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 4))


class Gelu(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(16, 4)
        self.act = nn.GELU()

    def forward(self, x):
        return self.act(self.fc(x))


def make_gelu():
    return Gelu()
