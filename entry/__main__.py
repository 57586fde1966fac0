"""``python -m authsweep``: the same command line as the ``authsweep`` script."""

from authsweep import main

if __name__ == "__main__":
    main()
