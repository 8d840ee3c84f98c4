"""The site's URL paths and what each must show: shared by the AppTests and the browser tests."""

# url path -> (page file, minimum number of drawn plotly charts)
PAGES = {
    "": ("pages/overview.py", 1),
    "boroughs": ("pages/boroughs.py", 1),
    "workforce": ("pages/workforce.py", 2),
    "remi": ("pages/remi.py", 1),
    "trust": ("pages/trust.py", 1),
    "strategy": ("pages/strategy.py", 1),
    "data": ("pages/data.py", 1),
}
ORGANISATIONS = ["QMF", "R1H", "RF4", "RQX", "RWK", "RAT", "NEL"]
