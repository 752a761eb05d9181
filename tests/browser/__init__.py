"""Browser tests: govcat as a person sees it, in headless Chromium driven by Selenium."""
