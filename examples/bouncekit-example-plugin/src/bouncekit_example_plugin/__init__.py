"""Signature packs for bouncekit, read from the *.toml files of this package.

bouncekit finds this package through the `bouncekit.signatures` entry point; there is no
code to run.
"""
