"""Problem 2b's network built from torch.nn modules (torch is optional).

Used only by checks: PyTorch's own parameter count and its FlopCounterMode
are compared with the "torch" conventions' polynomials.
"""

from __future__ import annotations


def available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def counts(m: int, h: int, V: int, T: int) -> tuple[int, int]:
    """(trainable parameters, FLOPs of one forward pass) of the torch network.

    The encoder is ``nn.Embedding`` + ``nn.RNN`` (its tanh instead of the
    problem's sigmoid changes neither count); the decoder a ``nn.Linear``
    recurrence and a ``nn.Linear`` output layer. Batch size 1.
    """
    import torch
    from torch import nn
    from torch.utils.flop_counter import FlopCounterMode

    torch.manual_seed(0)
    modules = [nn.Embedding(V, m), nn.RNN(m, h, batch_first=True), nn.Linear(h, h), nn.Linear(h, V)]
    embedding, encoder, decoder, output = modules
    parameters = sum(p.numel() for module in modules for p in module.parameters() if p.requires_grad)
    tokens = torch.randint(0, V, (1, T))
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        _, last = encoder(embedding(tokens))
        state = last[0]
        for _ in range(T):
            state = torch.sigmoid(decoder(state))
            torch.softmax(output(state), dim=-1)
    return parameters, counter.get_total_flops()
