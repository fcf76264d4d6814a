"""The demo organisation: Groupe Orvanne, an invented French maker of water-treatment
equipment, generated deterministically from a seed and loaded through the bulk loader."""
