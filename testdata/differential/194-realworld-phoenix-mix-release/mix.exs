defmodule MyApp.MixProject do
  use Mix.Project
  def project, do: [app: :my_app, version: "0.1.0", elixir: "~> 1.14", releases: [my_app: []]]
end
