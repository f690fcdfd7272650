content src/vendor/lib/a.go
