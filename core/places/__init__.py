"""Places: every geotagged photo named offline (city, region, country) and searched by name."""
