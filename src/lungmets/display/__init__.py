"""What a reader sees: clinical figures (``plots``), widget panels that work in the static book
and recompute in a live kernel (``panels``), and text alternatives for both (``a11y``)."""
