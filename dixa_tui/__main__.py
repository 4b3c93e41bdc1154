"""`python -m dixa_tui` runs the same entry point as the `dixa-tui` console script."""

from dixa_tui.launch import main

if __name__ == "__main__":
    main()
