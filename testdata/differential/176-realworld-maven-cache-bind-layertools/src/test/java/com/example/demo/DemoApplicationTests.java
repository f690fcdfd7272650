package com.example.demo; class DemoApplicationTests {}
