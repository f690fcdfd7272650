package app; public class OrdersApplication {}
