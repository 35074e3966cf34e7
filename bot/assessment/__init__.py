"""The assessment card: an account\x27s standing in one health word, with its reasons."""
