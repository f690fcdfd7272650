package app; class OrderRepositoryTests {}
