package com.example; class DemoApplication {}
