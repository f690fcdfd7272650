defmodule MyApp.Repo do end
