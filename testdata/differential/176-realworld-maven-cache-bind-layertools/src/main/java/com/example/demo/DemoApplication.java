package com.example.demo; public class DemoApplication {}
