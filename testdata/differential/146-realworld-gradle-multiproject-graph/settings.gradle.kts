rootProject.name = "shop"
include("core", "api", "app")
