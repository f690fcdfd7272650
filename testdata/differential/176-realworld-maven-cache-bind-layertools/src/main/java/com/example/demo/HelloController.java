package com.example.demo; public class HelloController {}
