"""Public API functions, one module per question; :mod:`syncscope` re-exports them."""
