package com.example.demo;
public class Greeting {}
