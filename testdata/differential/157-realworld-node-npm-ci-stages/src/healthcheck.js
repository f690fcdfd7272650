require("http").get("http://localhost:3000/health");
