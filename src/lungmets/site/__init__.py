"""Building and checking the published site: static rendering of panels, the glossary, the
reading order, the downloads and the browser the tests and handouts start."""
