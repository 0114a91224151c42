"""The loss of the README's demo at its first step: 100 moons points, MLP(2, [16, 16, 1]), hinge
loss plus 1e-4 · L2, after one backward pass. A real batch loss of 7,545 nodes."""

from autograd import data, losses
from autograd.nn import MLP


def moons_loss():
    X, y = data.moons(100, noise=0.1, seed=1337)
    model = MLP(2, [16, 16, 1], seed=1337)
    scores = [model(row) for row in X.tolist()]  # plain numbers: the inputs become x1, x2
    loss = losses.hinge(scores, [2 * int(t) - 1 for t in y]) + losses.l2(model.parameters(), 1e-4)
    loss.backward()
    return X, model, loss
