defmodule MyApp.Repo.Migrations.Init do end
