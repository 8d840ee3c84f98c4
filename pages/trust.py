import streamlit as st

st.title("trust")
st.write("This page is being built.")
