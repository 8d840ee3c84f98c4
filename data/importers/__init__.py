"""Importers that turn official bulk files into this package's tables."""
