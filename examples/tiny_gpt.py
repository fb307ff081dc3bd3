"""A tiny GPT: a character-level transformer trained on this project's own docs and source code.

The model is GPT-2's shape in miniature (as in Karpathy's nanoGPT):

- each character is a token; token and position embeddings (``nn.Embedding``) are added;
- a stack of blocks, each ``x = x + attention(LayerNorm(x)); x = x + MLP(LayerNorm(x))``:
  causal self-attention (``F.scaled_dot_product_attention(..., is_causal=True)``: a position
  sees only itself and what came before), and an MLP with a GELU, both with dropout;
- a final LayerNorm and a linear head back to the characters, sharing its weight with the token
  embedding (weight tying).

It learns to predict the next character with cross-entropy, using AdamW (weight decay on the
matrices only), gradient clipping (``nn.utils.clip_grad_norm_``) and a learning rate that warms
up linearly and then decays along a cosine (``optim.lr_scheduler.LambdaLR``). It prints a sample
before training (noise) and after (something that looks like this project's Python), and plots
the training and validation loss.

    python examples/tiny_gpt.py                   # a few minutes on a laptop CPU
    python examples/tiny_gpt.py --steps 3000 --layers 4 --dim 128
    python examples/tiny_gpt.py --text my_corpus.txt
"""

from __future__ import annotations

import argparse
import math
import os
import time
from pathlib import Path
from typing import Any

# OpenBLAS's worker threads spin while they wait: on a machine with few, busy cores they cost
# far more than they bring at these sizes (a step ran 15 times slower with two threads on two
# shared cores). One thread, unless you say otherwise; this must come before NumPy is imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import common
import numpy as np
from common import plt

import tinygrad_edu
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Tensor, nn, no_grad, optim
from tinygrad_edu.optim.lr_scheduler import LambdaLR

ROOT = Path(__file__).resolve().parents[1]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = common.make_parser(__doc__)
    parser.add_argument("--text", type=Path, nargs="*", help="files to train on (default: ours)")
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--block", type=int, default=64, help="context length, in characters")
    parser.add_argument("--dim", type=int, default=64, help="embedding width")
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--warmup", type=int, default=50, help="steps of linear warm-up")
    parser.add_argument("--eval-every", type=int, default=50)
    parser.add_argument("--sample-chars", type=int, default=300)
    return common.parse(parser, argv)  # adds --seed and --out


# -- the text --------------------------------------------------------------------------------------


def default_corpus() -> list[Path]:
    """This project's docs and source code: what ships with it, so the example runs offline."""
    docs = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    source = sorted((ROOT / "tinygrad_edu").rglob("*.py"))
    return [p for p in (*docs, *source) if p.is_file()]


class Characters:
    """The text as integer codes, one per character, and the way back."""

    def __init__(self, text: str) -> None:
        self.chars = sorted(set(text))
        self.index = {c: i for i, c in enumerate(self.chars)}

    def encode(self, text: str) -> np.ndarray:
        return np.array([self.index[c] for c in text], dtype=np.int64)

    def decode(self, codes: Any) -> str:
        return "".join(self.chars[int(i)] for i in codes)


def get_batch(
    data: np.ndarray, rng: np.random.Generator, batch: int, block: int
) -> tuple[Tensor, Tensor]:
    """Random windows of block + 1 characters: inputs x and targets y = x shifted by one."""
    starts = rng.integers(0, len(data) - block - 1, batch)
    windows = np.stack([data[s : s + block + 1] for s in starts])
    return Tensor(windows[:, :-1]), Tensor(windows[:, 1:])


# -- the model -------------------------------------------------------------------------------------


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention where position t sees positions 0..t only."""

    def __init__(self, dim: int, heads: int, dropout: float) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)  # the three projections in one matmul
        self.proj = nn.Linear(dim, dim)
        self.dropout = dropout
        self.resid_dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        batch, steps, dim = x.shape
        q, k, v = self.qkv(x).split(dim, dim=2)
        # (batch, steps, dim) -> (batch, heads, steps, dim / heads): each head attends alone
        q, k, v = (t.view(batch, steps, self.heads, -1).transpose(1, 2) for t in (q, k, v))
        p = self.dropout if self.training else 0.0
        y = F.scaled_dot_product_attention(q, k, v, dropout_p=p, is_causal=True)
        y = y.transpose(1, 2).reshape(batch, steps, dim)  # the heads side by side again
        return self.resid_dropout(self.proj(y))


class Block(nn.Module):
    """Pre-norm transformer block: attention, then an MLP, each added to its input."""

    def __init__(self, dim: int, heads: int, dropout: float) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.attn = CausalSelfAttention(dim, heads, dropout)
        self.ln2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(
            nn.Linear(dim, 4 * dim),
            nn.GELU(approximate="tanh"),  # GPT-2's GELU
            nn.Linear(4 * dim, dim),
            nn.Dropout(dropout),
        )

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class TinyGPT(nn.Module):
    def __init__(
        self, vocab: int, block: int, dim: int, heads: int, layers: int, dropout: float
    ) -> None:
        super().__init__()
        self.block = block
        self.tok_emb = nn.Embedding(vocab, dim)
        self.pos_emb = nn.Embedding(block, dim)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.Sequential(*[Block(dim, heads, dropout) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab, bias=False)
        self.head.weight = self.tok_emb.weight  # weight tying: one (vocab, dim) matrix for both
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        """GPT-2's initialisation: N(0, 0.02) for weights, zero biases."""
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, 0.0, 0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(self, idx: Tensor) -> Tensor:
        """(batch, steps) character codes -> (batch, steps, vocab) logits of the next one."""
        steps = idx.shape[1]
        positions = Tensor(np.arange(steps))
        x = self.drop(self.tok_emb(idx) + self.pos_emb(positions))
        return self.head(self.ln_f(self.blocks(x)))


def loss_of(model: TinyGPT, x: Tensor, y: Tensor) -> Tensor:
    logits = model(x)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


def sample(
    model: TinyGPT,
    chars: Characters,
    prompt: str,
    n: int,
    rng: np.random.Generator,
    temperature: float = 0.8,
) -> str:
    """Continue prompt by n characters, each drawn from the model's softmax(logits / T)."""
    model.eval()
    codes = list(chars.encode(prompt))
    with no_grad():
        for _ in range(n):
            context = Tensor(np.array([codes[-model.block :]]))
            logits = model(context).numpy()[0, -1] / temperature
            p = np.exp(logits - logits.max())
            codes.append(int(rng.choice(len(p), p=p / p.sum())))
    model.train()
    return chars.decode(codes)


def evaluate(model: TinyGPT, data: np.ndarray, args: argparse.Namespace) -> float:
    """Mean loss over a fixed set of batches."""
    model.eval()
    rng = np.random.default_rng(1234)
    with no_grad():
        losses = [
            loss_of(model, *get_batch(data, rng, args.batch_size, args.block)).item()
            for _ in range(4)
        ]
    model.train()
    return float(np.mean(losses))


def plot(history: dict[str, list[tuple[int, float]]], vocab: int, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, points in history.items():
        steps, values = zip(*points)
        ax.plot(steps, values, label=name, alpha=0.6 if name == "train (batch)" else 1.0)
    ax.axhline(np.log(vocab), color="gray", linestyle=":", label="uniform guess")
    ax.set(xlabel="step", ylabel="cross-entropy (nats per character)", title="tiny GPT")
    ax.grid(alpha=0.3)
    ax.legend()
    common.save_figure(fig, path)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    tinygrad_edu.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    files = args.text or default_corpus()
    text = "\n".join(p.read_text(encoding="utf-8") for p in files)
    chars = Characters(text)
    data = chars.encode(text)
    split = int(0.9 * len(data))
    train, val = data[:split], data[split:]
    model = TinyGPT(len(chars.chars), args.block, args.dim, args.heads, args.layers, args.dropout)
    n_params = sum(p.numel() for p in model.parameters())
    print(
        f"{len(text):,} characters from {len(files)} files, {len(chars.chars)} distinct; "
        f"a {args.layers}-layer GPT of width {args.dim}: {n_params:,} parameters"
    )
    prompt = "def "
    print(f"\nsample before training:\n{sample(model, chars, prompt, args.sample_chars, rng)}\n")

    # Weight decay on the matrices (and the embedding), not on biases and LayerNorm gains.
    decay = [p for p in model.parameters() if p.ndim >= 2]
    no_decay = [p for p in model.parameters() if p.ndim < 2]
    optimizer = optim.AdamW(
        [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
        lr=args.lr,
        betas=(0.9, 0.99),
    )

    def schedule(step: int) -> float:
        """Linear warm-up to lr, then a cosine down to lr / 10 at the last step."""
        if step < args.warmup:
            return (step + 1) / args.warmup
        progress = (step - args.warmup) / max(1, args.steps - args.warmup)
        return 0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))

    scheduler = LambdaLR(optimizer, schedule)
    history: dict[str, list[tuple[int, float]]] = {"train (batch)": [], "validation": []}
    started = time.perf_counter()
    progress = common.Progress(args.steps, "tiny GPT", unit="step")
    for step in (i + 1 for i in progress):
        x, y = get_batch(train, rng, args.batch_size, args.block)
        optimizer.zero_grad()
        loss = loss_of(model, x, y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        history["train (batch)"].append((step, loss.item()))
        if step % args.eval_every == 0 or step == args.steps:
            history["validation"].append((step, evaluate(model, val, args)))
        progress.note(loss=loss.item())
    seconds = time.perf_counter() - started

    train_loss, val_loss = evaluate(model, train, args), history["validation"][-1][1]
    print(f"\nsample after training:\n{sample(model, chars, prompt, args.sample_chars, rng)}\n")
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "tiny_gpt.png"
    plot(history, len(chars.chars), path)
    print(
        f"loss after {args.steps} steps ({seconds:.0f} s): train {train_loss:.3f}, validation "
        f"{val_loss:.3f} nats per character ({val_loss / math.log(2):.2f} bits; a uniform guess "
        f"is {math.log(len(chars.chars)):.3f})"
    )
    print(f"saved {path}")
    return {"train_loss": train_loss, "val_loss": val_loss, "parameters": n_params}


if __name__ == "__main__":
    main()
