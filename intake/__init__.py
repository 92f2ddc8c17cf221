"""The domain of the portal: plain Python, never imports the web side."""
