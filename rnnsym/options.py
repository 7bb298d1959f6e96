"""Choices a batch of variants can ask for (shared by the CLI and the draws)."""

DRAW_OPTIONS = {
    "p1_fixed_points": ("mixed", "one", "three"),
    "p3_regime": ("mixed", "vanishes", "bounded", "explodes"),
}
