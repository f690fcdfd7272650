content src/app/main_test.go
