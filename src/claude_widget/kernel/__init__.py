"""The user's kernel as Claude may use it (`Chat(kernel=True)`): the tools, the namespace they read and the main
thread where approved code runs."""
