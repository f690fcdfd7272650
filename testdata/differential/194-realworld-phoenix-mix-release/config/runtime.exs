import Config
if System.get_env("PHX_SERVER"), do: config(:my_app, MyAppWeb.Endpoint, server: true)
