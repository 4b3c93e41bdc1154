"""The Textual app. Only this package imports Textual; api/ and domain/ never do."""
