"""The community manager's cockpit: web pages over the insights engine."""
