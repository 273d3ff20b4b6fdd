"""What the differential check is made of: settings, HTTP and WebSocket clients, the scripted origin, the two targets,
the scenario context and registry, and the list of known differences."""
