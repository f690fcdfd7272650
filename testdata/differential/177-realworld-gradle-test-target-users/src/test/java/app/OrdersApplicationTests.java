package app; class OrdersApplicationTests {}
