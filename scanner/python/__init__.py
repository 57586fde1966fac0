"""The Python front end: `analyze.analyze_python` reads a module into the mail model."""
