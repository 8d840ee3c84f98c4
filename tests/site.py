"""The site's URL paths and what each must show: shared by the AppTests and the browser tests."""
from components.routes import BY_PATH, HOME

# url path ("" for the home page) -> (page file, minimum number of drawn plotly charts)
MIN_CHARTS = {"overview": 1, "boroughs": 1, "workforce": 2, "remi": 1, "trust": 1, "strategy": 1, "data": 1,
              "outcomes": 1}
PAGES = {("" if path == HOME else path): (BY_PATH[path].file, n) for path, n in MIN_CHARTS.items()}
ORGANISATIONS = ["QMF", "R1H", "RF4", "RQX", "RWK", "RAT", "NEL"]
