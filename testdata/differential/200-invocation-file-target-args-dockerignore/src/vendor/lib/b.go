content src/vendor/lib/b.go
