content src/app/main.go
