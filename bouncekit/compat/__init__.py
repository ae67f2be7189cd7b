"""Drop-in shapes for code written against other bounce libraries and the standard library.

`bouncekit.compat.flufl` answers like flufl.bounce (for Mailman and similar list managers);
`bouncekit.compat.smtplib` classifies the exceptions of Python's `smtplib`.
"""
