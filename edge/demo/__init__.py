"""The built-in demo and its tooling: MNIST digits, the page generator, scoring. Not in the device loop."""
