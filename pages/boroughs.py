import streamlit as st

st.title("boroughs")
st.write("This page is being built.")
